"""Web routes of the marketing app: staff pages under marketing/, recipient links under m/ and newsletter/."""

from django.urls import path

from kundebase.marketing import views, views_campaigns, views_setup

app_name = "marketing"

urlpatterns = [
    path("marketing/segments/", views.segment_list, name="segments"),
    path("marketing/segments/new", views.segment_new, name="segment-new"),
    path("marketing/segments/count", views.segment_count, name="segment-count"),
    path("marketing/segments/<int:segment_id>/", views.segment_edit, name="segment"),
    path("marketing/segments/<int:segment_id>/export", views.segment_export, name="segment-export"),
    path("marketing/exports/<int:export_id>/", views.export_detail, name="export"),
    path("marketing/exports/<int:export_id>/file", views.export_file, name="export-file"),
    path("marketing/campaigns/", views.campaign_list, name="campaigns"),
    path("marketing/campaigns/new", views_campaigns.campaign_new, name="campaign-new"),
    path("marketing/campaigns/<int:campaign_id>/", views_campaigns.campaign_edit, name="campaign"),
    path("marketing/campaigns/<int:campaign_id>/send", views.campaign_send, name="campaign-send"),
    path("marketing/triggers/", views_setup.triggers, name="triggers"),
    path("marketing/loyalty/", views_setup.loyalty_setup, name="loyalty"),
    path("marketing/newsletters/<slug:key>/embed", views.newsletter_embed, name="newsletter-embed"),
    path("m/u/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("m/o/<str:token>", views.track_open, name="open"),
    path("m/c/<str:token>", views.track_click, name="click"),
    path("newsletter/<slug:key>/subscribe", views.newsletter_subscribe, name="newsletter-subscribe"),
    path("newsletter/confirm/<str:token>", views.newsletter_confirm, name="newsletter-confirm"),
]
