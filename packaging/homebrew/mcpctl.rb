# Homebrew formula for mcpctl, built from source with cargo.
#
# Kept in the repository: copy it into your organisation's tap
# (`brew tap-new ORG/tools`, then `Formula/mcpctl.rb`). At each release,
# set `url` to the tag's source archive and `sha256` to its checksum
# (`curl -L URL | shasum -a 256`); the version comes from the URL. The
# values below (OWNER, the checksum) are placeholders until the first
# release is published.
#
# `brew install` builds on each Mac: the binary is signed ad hoc, so the
# macOS Keychain asks again for each credential after every upgrade (see
# docs/deploy-mdm.md). Ship a signed bottle to avoid that.
class Mcpctl < Formula
  desc "Config-as-code for MCP servers and their credentials"
  homepage "https://github.com/OWNER/mcpctl"
  url "https://github.com/OWNER/mcpctl/archive/refs/tags/v0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license any_of: ["MIT", "Apache-2.0"]
  head "https://github.com/OWNER/mcpctl.git", branch: "main"

  depends_on "rust" => :build

  def install
    system "cargo", "install", *std_cargo_args
    man1.install Dir["man/*.1"]
    bash_completion.install "completions/mcpctl.bash" => "mcpctl"
    zsh_completion.install "completions/_mcpctl"
    fish_completion.install "completions/mcpctl.fish"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/mcpctl --version")
    (testpath/"mcpctl.kdl").write <<~KDL
      mcpctl version=1
      client claude-code
      credential GITHUB_TOKEN
    KDL
    assert_match "is valid", shell_output("#{bin}/mcpctl validate")
  end
end
