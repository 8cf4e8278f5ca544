resource "auth0_tenant" "default" {
  friendly_name         = "Acme Health"
  idle_session_lifetime = 8
  session_lifetime      = 24
}

resource "auth0_tenant" "staging" {
  friendly_name = "Acme Health staging"
}
