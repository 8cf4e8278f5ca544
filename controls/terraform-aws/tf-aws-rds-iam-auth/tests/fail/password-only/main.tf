resource "aws_db_instance" "shop" {
  identifier                          = "shop"
  engine                              = "mysql"
  instance_class                      = "db.t4g.medium"
  allocated_storage                   = 50
  username                            = "shop"
  manage_master_user_password         = true
  iam_database_authentication_enabled = false
}

resource "aws_rds_cluster" "tenants" {
  cluster_identifier          = "tenants"
  engine                      = "aurora-postgresql"
  master_username             = "tenants"
  manage_master_user_password = true
}

# SQL Server does not support IAM database authentication: not judged.
resource "aws_db_instance" "erp" {
  identifier                  = "erp"
  engine                      = "sqlserver-se"
  instance_class              = "db.m6i.xlarge"
  allocated_storage           = 200
  license_model               = "license-included"
  username                    = "erp"
  manage_master_user_password = true
}
