"""Who the invented enterprises are: valid 统一社会信用代码 and organisation codes, company names,
street names and contact people that look real but belong to nobody."""

import random

from stdnum.cn import uscc as uscc_number

from zhizao.enterprises.demo.profiles import DistrictProfile

NAME_CHARS = (
    "恒达华盛永兴新宏远金鑫泰隆丰瑞祥宇航天海明光东方中信诚嘉佳美富源润博德凯越峰益康立正通汇"
    "合和力创科联亿万振升荣昌锦鼎晟舜禹稽鉴兰亭龙腾飞扬精工骏驰星辰"
)
# fmt: off
ROAD_ROOTS = (
    "兴业", "工业", "创业", "振兴", "人民", "中兴", "环城", "滨江", "越兴", "镜湖", "迎宾", "开发", "科技",
    "纺都", "湖西", "金湖", "建设", "望江", "阳光", "兴越", "明珠", "长江", "古越", "复兴", "创新", "富民",
    "江滨", "东升",
)
# fmt: on
ROAD_KINDS = ("路", "路", "路", "大道", "街")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖夏方邵钱严楼俞骆宣裘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华建国志红文斌波辉鹏飞宇浩晨燕琴萍峰"

# 统一社会信用代码: 9 (市场监管部门) 1 (企业); the 9-character organisation code has its own
# GB 11714 check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(serial: int, new_style: bool) -> str:
    """A valid 9-character organisation code for `serial` (< 10⁸): eight digits, or from 2015 on
    "MA" and six characters, then the GB 11714 check character. Distinct serials give distinct
    codes within each style, and the styles never collide."""
    if new_style:
        chars = []
        for _ in range(6):
            serial, digit = divmod(serial, 31)
            chars.append(USCC_ALPHABET[digit])
        body = "MA" + "".join(reversed(chars))
    else:
        body = f"{serial:08d}"
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_uscc(region_code: str, serial: int, new_style: bool) -> str:
    number = f"91{region_code}{organisation_code(serial, new_style)}"
    return number + uscc_number.calc_check_digit(number)


def _company_name(
    rng: random.Random, district: DistrictProfile, word: str, revenue: float, names: set[str]
) -> str:
    large = revenue >= 100_000
    for attempt in range(50):
        length = 2 if attempt < 20 else 3
        brand = "".join(rng.sample(NAME_CHARS, length))
        tech = "科技" if rng.random() < 0.15 else ""
        if large and rng.random() < 0.6:
            name = f"浙江{brand}{word}{tech}{rng.choice(('股份有限公司', '集团有限公司'))}"
        else:
            name = f"{rng.choice(district.prefixes)}{brand}{word}{tech}有限公司"
        if name not in names:
            names.add(name)
            return name
    name = f"{rng.choice(district.prefixes)}{brand}{word}第{len(names)}有限公司"  # crowded
    names.add(name)
    return name
