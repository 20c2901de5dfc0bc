"""Web routes of the web app (included at the site root)."""

from django.urls import path

from kundebase.web.views import account, auth, customers, finding, home

urlpatterns = [
    path("", home.dashboard, name="dashboard"),
    path("login/", auth.sign_in, name="login"),
    path("logout/", auth.sign_out, name="logout"),
    path("logout/everywhere/", auth.sign_out_everywhere, name="logout-everywhere"),
    path("account/tokens/", account.api_tokens, name="api-tokens"),
    path("account/tokens/<int:token_id>/revoke/", account.revoke_api_token, name="api-token-revoke"),
    path("search/", finding.search, name="search"),
    path("lookup", finding.screen_pop, name="screen-pop"),
    path("customers/", finding.customer_list, name="customer-list"),
    path("customers/new/<str:kind>/", customers.create, name="customer-create"),
    path("customers/<int:party_id>/", customers.customer, name="customer"),
    path("customers/<int:party_id>/edit/", customers.edit, name="customer-edit"),
    path("customers/<int:party_id>/log/", customers.log_interaction, name="customer-log"),
    path("follow-ups/<int:interaction_id>/done/", customers.follow_up_done, name="follow-up-done"),
]
