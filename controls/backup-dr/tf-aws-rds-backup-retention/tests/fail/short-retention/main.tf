resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  instance_class          = "db.t4g.medium"
  allocated_storage       = 50
  storage_encrypted       = true
  backup_retention_period = 0
}

resource "aws_rds_cluster" "reporting" {
  cluster_identifier      = "reporting"
  engine                  = "aurora-postgresql"
  storage_encrypted       = true
  backup_retention_period = 3
}
