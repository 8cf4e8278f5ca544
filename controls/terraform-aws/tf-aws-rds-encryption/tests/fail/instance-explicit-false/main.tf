resource "aws_db_instance" "customers" {
  identifier              = "customers-prod"
  engine                  = "postgres"
  engine_version          = "16.2"
  instance_class          = "db.m6g.large"
  allocated_storage       = 100
  username                = "app"
  manage_master_user_password = true
  db_subnet_group_name    = aws_db_subnet_group.private.name
  backup_retention_period = 14
  storage_encrypted       = false
  skip_final_snapshot     = false
}
