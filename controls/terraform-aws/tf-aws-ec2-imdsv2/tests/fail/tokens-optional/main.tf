resource "aws_instance" "web" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.small"
}

resource "aws_launch_template" "workers" {
  name_prefix   = "workers-"
  image_id      = data.aws_ami.al2023.id
  instance_type = "m6i.large"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }
}

resource "aws_instance" "batch" {
  ami           = data.aws_ami.al2023.id
  instance_type = "c6i.large"

  metadata_options {
    http_put_response_hop_limit = 2
  }
}
