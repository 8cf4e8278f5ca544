# Aurora Serverless v1 storage is always encrypted; the encrypted cluster next to it passes too.
resource "aws_rds_cluster" "dev_sandbox" {
  cluster_identifier = "dev-sandbox"
  engine             = "aurora-mysql"
  engine_mode        = "serverless"
  master_username    = "dev"
  master_password    = var.dev_password

  scaling_configuration {
    min_capacity = 1
    max_capacity = 4
  }
}

resource "aws_rds_cluster" "staging" {
  cluster_identifier = "staging"
  engine             = "aurora-postgresql"
  master_username    = "staging"
  manage_master_user_password = true
  storage_encrypted  = true
}
