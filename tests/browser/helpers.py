"""What the browser tests do the same way: sign in through the login page."""

from tests.accounts.factories import PASSWORD


def log_in(page, live_server, username):
    """Sign in as `username` through the login form, as anybody else signed out first."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
