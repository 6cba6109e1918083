from django.urls import path

from treatments.clinical.views import attachments, letters, progress, records, reports, today

app_name = "practice"
urlpatterns = [
    path("", today.today, name="today"),
    path("appointments/<int:pk>/record/", records.record, name="record"),
    path("appointments/<int:pk>/record/amend/", records.amend, name="record_amend"),
    path("appointments/<int:pk>/record/hand-over/", records.hand_over, name="record_hand_over"),
    path("series/<int:pk>/", progress.progress, name="progress"),
    path("series/<int:pk>/summary/", progress.summary, name="summary"),
    path("series/<int:pk>/scores/", progress.score_add, name="score_add"),
    path("series/<int:pk>/letter/", letters.letter, name="letter"),
    path("patients/<int:pk>/attachments/", attachments.patient_attachments, name="attachments"),
    path("attachments/<int:pk>/download/", attachments.download, name="attachment_download"),
    path("reports/", reports.index, name="reports"),
    path("reports/<slug:table>.csv", reports.export, name="report_csv"),
]
