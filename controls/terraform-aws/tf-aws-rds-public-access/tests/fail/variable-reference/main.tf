# Only known at plan time: the database cannot be shown to be private.
variable "db_public" {
  type = bool
}

resource "aws_db_instance" "analytics" {
  identifier                  = "analytics"
  engine                      = "mysql"
  instance_class              = "db.t4g.small"
  allocated_storage           = 20
  username                    = "analytics"
  manage_master_user_password = true
  publicly_accessible         = var.db_public
}
