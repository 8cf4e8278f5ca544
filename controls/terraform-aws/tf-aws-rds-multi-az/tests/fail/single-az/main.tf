resource "aws_db_instance" "payments" {
  identifier                  = "payments"
  engine                      = "postgres"
  instance_class              = "db.m6g.large"
  allocated_storage           = 100
  username                    = "payments"
  manage_master_user_password = true
  multi_az                    = false
}

resource "aws_db_instance" "sessions" {
  identifier                  = "sessions"
  engine                      = "mysql"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 20
  username                    = "sessions"
  manage_master_user_password = true
}
