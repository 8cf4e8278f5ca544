resource "aws_db_instance" "billing" {
  identifier                  = "billing"
  engine                      = "postgres"
  instance_class              = "db.m6g.large"
  allocated_storage           = 200
  username                    = "billing"
  manage_master_user_password = true
  deletion_protection         = true
}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier          = "analytics"
  engine                      = "aurora-mysql"
  master_username             = "analytics"
  manage_master_user_password = true
  deletion_protection         = true
}
