variable "protect_database" {
  type = bool
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier          = "ledger"
  engine                      = "aurora-mysql"
  master_username             = "ledger"
  manage_master_user_password = true
  deletion_protection         = var.protect_database
}
