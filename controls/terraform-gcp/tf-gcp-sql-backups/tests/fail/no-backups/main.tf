resource "google_sql_database_instance" "main" {
  name             = "main"
  database_version = "POSTGRES_16"
  region           = "europe-west1"

  settings {
    tier = "db-custom-2-7680"

    backup_configuration {
      enabled = false
    }
  }
}

resource "google_sql_database_instance" "reporting" {
  name             = "reporting"
  database_version = "MYSQL_8_0"
  region           = "europe-west1"

  settings {
    tier = "db-f1-micro"
  }
}
