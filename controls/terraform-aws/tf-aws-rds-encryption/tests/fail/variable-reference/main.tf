# The value is only known at plan time; without it the storage cannot be shown to be encrypted.
variable "encrypt_storage" {
  type    = bool
  default = false
}

resource "aws_db_instance" "reporting" {
  identifier        = "reporting"
  engine            = "mysql"
  instance_class    = "db.t4g.medium"
  allocated_storage = 50
  username          = "report"
  password          = var.db_password
  storage_encrypted = var.encrypt_storage
}
