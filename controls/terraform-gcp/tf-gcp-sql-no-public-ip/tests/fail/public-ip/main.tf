resource "google_sql_database_instance" "main" {
  name             = "main"
  database_version = "POSTGRES_16"
  region           = "europe-west1"

  settings {
    tier = "db-custom-2-7680"

    ip_configuration {
      ipv4_enabled = true
      ssl_mode     = "ENCRYPTED_ONLY"

      authorized_networks {
        name  = "office"
        value = "203.0.113.0/24"
      }
    }
  }
}

# No ip_configuration: a public IP address by default.
resource "google_sql_database_instance" "reporting" {
  name             = "reporting"
  database_version = "MYSQL_8_0"
  region           = "europe-west1"

  settings {
    tier = "db-f1-micro"
  }
}
