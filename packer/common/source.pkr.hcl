# The build instance and image settings every kx image shares. Each image's build
# block names this source and fills in its name and tags.
source "amazon-ebs" "kx" {
  region        = var.region
  source_ami    = data.amazon-ami.ubuntu.id
  instance_type = var.instance_type
  ssh_username  = "ubuntu"

  temporary_key_pair_type = "ed25519"
  ssh_timeout             = "10m"

  # Instances started from the image answer only IMDSv2 (session tokens); the build
  # instance does too. Hop limit 2 lets containers on the node reach IMDS.
  imds_support = "v2.0"
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  # An encrypted gp3 root volume; its snapshot (and so the image) stays encrypted.
  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = var.root_volume_gib
    volume_type           = "gp3"
    encrypted             = true
    delete_on_termination = true
  }

  run_tags = {
    "Name"          = "kx-image-build"
    "kx:managed-by" = "kx"
  }
}
