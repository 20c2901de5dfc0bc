"""Web routes of the ingest app: the event API at /v1/… and the import pages under /import/…"""

from django.urls import path

from kundebase.ingest import tracking, views, views_sources

app_name = "ingest"

urlpatterns = [
    path("v1/batch", tracking.batch, name="v1-batch"),
    path("v1/identify", tracking.identify, name="v1-identify"),
    path("v1/track", tracking.track, name="v1-track"),
    path("v1/page", tracking.page, name="v1-page"),
    path("v1/screen", tracking.screen, name="v1-screen"),
    path("v1/group", tracking.group, name="v1-group"),
    path("v1/alias", tracking.alias, name="v1-alias"),
    path("import/", views.import_list, name="imports"),
    path("import/new", views.upload, name="import-upload"),
    path("import/<int:job_id>/", views.job_detail, name="import-detail"),
    path("import/<int:job_id>/mapping", views.job_mapping, name="import-mapping"),
    path("import/<int:job_id>/start", views.job_start, name="import-start"),
    path("import/<int:job_id>/pause", views.job_pause, name="import-pause"),
    path("import/<int:job_id>/progress", views.job_progress, name="import-progress"),
    path("import/<int:job_id>/errors.csv", views.job_errors, name="import-errors"),
    path("import/sources", views.sources, name="import-sources"),
    path("import/sources/<int:source_id>/", views_sources.source_detail, name="import-source"),
    path("import/sources/<int:source_id>/templates/new", views_sources.template_new, name="import-template-new"),
    path("import/sources/<int:source_id>/templates/<int:template_id>/", views_sources.template_edit,
         name="import-template"),
    path("import/events/dead-letters", views.dead_letter_list, name="dead-letters"),
]
