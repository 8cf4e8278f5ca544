resource "auth0_tenant" "default" {
  friendly_name         = "Acme Health"
  idle_session_lifetime = 0.25
  session_lifetime      = 8
}
