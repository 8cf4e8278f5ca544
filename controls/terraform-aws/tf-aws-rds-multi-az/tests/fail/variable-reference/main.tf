variable "multi_az" {
  type = bool
}

resource "aws_db_instance" "inventory" {
  identifier                  = "inventory"
  engine                      = "postgres"
  instance_class              = "db.m6g.large"
  allocated_storage           = 100
  username                    = "inventory"
  manage_master_user_password = true
  multi_az                    = var.multi_az
}
