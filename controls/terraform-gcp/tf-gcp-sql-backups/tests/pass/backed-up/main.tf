resource "google_sql_database_instance" "main" {
  name             = "main"
  database_version = "POSTGRES_16"
  region           = "europe-west1"

  settings {
    tier = "db-custom-2-7680"

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      start_time                     = "02:00"
    }
  }
}

# A read replica: its primary holds the backups.
resource "google_sql_database_instance" "main_replica" {
  name                 = "main-replica"
  database_version     = "POSTGRES_16"
  region               = "europe-west1"
  master_instance_name = google_sql_database_instance.main.name

  settings {
    tier = "db-custom-2-7680"
  }
}
