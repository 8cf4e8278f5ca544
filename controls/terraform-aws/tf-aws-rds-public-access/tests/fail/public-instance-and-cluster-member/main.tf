resource "aws_db_instance" "crm" {
  identifier                  = "crm-prod"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  username                    = "crm"
  manage_master_user_password = true
  storage_encrypted           = true
  publicly_accessible         = true
}

resource "aws_rds_cluster_instance" "reporting" {
  identifier          = "reporting-1"
  cluster_identifier  = aws_rds_cluster.reporting.id
  instance_class      = "db.r6g.large"
  engine              = "aurora-postgresql"
  publicly_accessible = "true"
}

# Private: passes.
resource "aws_rds_cluster_instance" "reporting_2" {
  identifier         = "reporting-2"
  cluster_identifier = aws_rds_cluster.reporting.id
  instance_class     = "db.r6g.large"
  engine             = "aurora-postgresql"
}

# A Multi-AZ DB cluster.
resource "aws_rds_cluster" "events" {
  cluster_identifier          = "events"
  engine                      = "postgres"
  db_cluster_instance_class   = "db.m6gd.large"
  storage_type                = "io1"
  allocated_storage           = 100
  iops                        = 1000
  master_username             = "events"
  manage_master_user_password = true
  publicly_accessible         = true
}
