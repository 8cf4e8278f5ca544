variable "iam_auth" {
  type = bool
}

resource "aws_db_instance" "wiki" {
  identifier                          = "wiki"
  engine                              = "mariadb"
  instance_class                      = "db.t4g.small"
  allocated_storage                   = 20
  username                            = "wiki"
  manage_master_user_password         = true
  iam_database_authentication_enabled = var.iam_auth
}
