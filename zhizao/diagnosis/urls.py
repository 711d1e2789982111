from django.urls import path

from zhizao.diagnosis import views, views_coverage, views_expert

app_name = "diagnosis"

urlpatterns = [
    path("", views.home, name="home"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", views.report, name="report"),
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("assessments/<int:pk>/fill/", views.fill, name="fill"),
    path("assessments/<int:pk>/answer/", views.answer, name="answer"),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("enterprises/<int:pk>/", views.enterprise_page, name="enterprise"),
    path("enterprises/<int:pk>/start/", views.start, name="start"),
    path("enterprises/<int:pk>/assign/", views_expert.assign, name="assign"),
    path("diagnoses/", views_expert.diagnosis_list, name="diagnoses"),
    path("diagnoses/<int:pk>/", views_expert.diagnosis_detail, name="diagnosis"),
    path("diagnoses/<int:pk>/record/", views_expert.record, name="record"),
    path("diagnoses/<int:pk>/acknowledge/", views_expert.acknowledge, name="acknowledge"),
    path("diagnoses/<int:pk>/report.pdf", views_expert.diagnosis_pdf_view, name="diagnosis_pdf"),
    path("coverage/", views_coverage.coverage_page, name="coverage"),
    path("coverage/undiagnosed/", views_coverage.undiagnosed_page, name="undiagnosed"),
    path("levels/", views_coverage.levels_page, name="levels"),
]
