variable "db_password" {
  type      = string
  sensitive = true
}

variable "client_secret" {
  type    = string
  default = ""
}

variable "private_key_path" {
  default = "~/.ssh/deploy"
}

resource "aws_db_instance" "orders" {
  identifier = "orders"
  password   = var.db_password
}
