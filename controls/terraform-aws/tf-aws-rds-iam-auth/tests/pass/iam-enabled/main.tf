resource "aws_db_instance" "accounts" {
  identifier                          = "accounts"
  engine                              = "postgres"
  instance_class                      = "db.m6g.large"
  allocated_storage                   = 100
  username                            = "accounts"
  manage_master_user_password         = true
  iam_database_authentication_enabled = true
}

resource "aws_rds_cluster" "search" {
  cluster_identifier                  = "search"
  engine                              = "aurora-mysql"
  master_username                     = "search"
  manage_master_user_password         = true
  iam_database_authentication_enabled = true
}

# Oracle does not support IAM database authentication: not judged.
resource "aws_db_instance" "legacy_billing" {
  identifier                  = "legacy-billing"
  engine                      = "oracle-se2"
  instance_class              = "db.m6i.large"
  allocated_storage           = 100
  license_model               = "license-included"
  username                    = "billing"
  manage_master_user_password = true
}
