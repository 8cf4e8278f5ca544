resource "aws_kms_key" "rds" {
  description         = "RDS storage key"
  enable_key_rotation = true
}

resource "aws_db_instance" "billing" {
  identifier        = "billing"
  engine            = "postgres"
  engine_version    = "16.2"
  instance_class    = "db.m6g.large"
  allocated_storage = 200
  username          = "billing"
  manage_master_user_password = true
  storage_encrypted = true
  kms_key_id        = aws_kms_key.rds.arn
}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier = "analytics"
  engine             = "aurora-mysql"
  master_username    = "analytics"
  manage_master_user_password = true
  storage_encrypted  = true
  kms_key_id         = aws_kms_key.rds.arn
}
