variable "http_tokens" {
  type = string
}

resource "aws_instance" "app" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.medium"

  metadata_options {
    http_tokens = var.http_tokens
  }
}
