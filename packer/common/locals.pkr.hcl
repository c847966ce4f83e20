locals {
  # Unique per build, so a rebuild of the same content never clashes with an old name.
  build_time = formatdate("YYYYMMDDhhmmss", timestamp())
  hash_short = substr(var.kx_content_hash, 0, 12)

  # Tags of every kx image and of its snapshots; each image adds kx:role and its versions.
  common_tags = {
    "kx:managed-by"   = "kx"
    "kx:content-hash" = var.kx_content_hash
    "kx:base-image"   = data.amazon-ami.ubuntu.id
    "kx:build-time"   = local.build_time
  }

  # Where the provisioning scripts are uploaded on the build instance.
  remote_dir = "/tmp/kx-build"
}
