resource "aws_db_instance" "customers" {
  identifier                  = "customers"
  engine                      = "postgres"
  instance_class              = "db.m6g.large"
  allocated_storage           = 100
  username                    = "app"
  manage_master_user_password = true
  storage_encrypted           = true
  deletion_protection         = false
  skip_final_snapshot         = true
}

resource "aws_rds_cluster" "events" {
  cluster_identifier          = "events"
  engine                      = "aurora-postgresql"
  master_username             = "events"
  manage_master_user_password = true
  storage_encrypted           = true
}
