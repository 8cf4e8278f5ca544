variable "public_sql" {
  type = bool
}

resource "google_sql_database_instance" "main" {
  name             = "main"
  database_version = "POSTGRES_16"
  region           = "europe-west1"

  settings {
    tier = "db-custom-2-7680"

    ip_configuration {
      ipv4_enabled    = var.public_sql
      private_network = google_compute_network.vpc.id
    }
  }
}
