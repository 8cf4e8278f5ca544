resource "aws_instance" "web" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.small"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }
}

resource "aws_launch_template" "workers" {
  name_prefix   = "workers-"
  image_id      = data.aws_ami.al2023.id
  instance_type = "m6i.large"

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}

# No metadata service at all.
resource "aws_instance" "isolated" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint = "disabled"
  }
}
