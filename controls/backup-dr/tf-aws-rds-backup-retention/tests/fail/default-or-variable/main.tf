resource "aws_rds_cluster" "sessions" {
  cluster_identifier = "sessions"
  engine             = "aurora-mysql"
  storage_encrypted  = true
}

resource "aws_db_instance" "billing" {
  identifier              = "billing"
  engine                  = "mysql"
  instance_class          = "db.t4g.small"
  allocated_storage       = 20
  storage_encrypted       = true
  backup_retention_period = var.backup_days
}
