import Foundation

/// The tests' SMTP relay (Tests/MailSink/smtp_sink.py, aiosmtpd), storing every mail it accepts in a Maildir.
public enum SMTPSink {
    /// Starts it on `host:port` and waits until it listens. `options`: smtp_sink.py's TLS and login options.
    public static func start(port: Int, maildir: String, host: String = "127.0.0.1", options: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Shell.repository + "/Tests/MailSink/smtp_sink.py", "--host", host, "--port", "\(port)", "--maildir", maildir] + options
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            try Deadline.wait(for: "the SMTP sink") { (try? Shell.run("exec 3<>/dev/tcp/127.0.0.1/\(port)")) != nil }
        } catch {
            process.terminate()
            throw error
        }
        return process
    }

    /// The mails a sink received in `maildir`, as raw MIME texts, oldest name first.
    public static func messages(in maildir: String) -> [String] {
        let folder = maildir + "/new"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { try? String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }
    }

    /// The mail's base64 parts, decoded, for assertions on what a person reads.
    public static func decodedBodies(_ mail: String) -> String {
        var decoded = ""
        var inPart = false
        var inBody = false
        var block = ""
        for rawLine in mail.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("Content-Transfer-Encoding: base64") { inPart = true; continue }
            if inPart && !inBody && line.isEmpty { inBody = true; continue }
            if inBody {
                if line.hasPrefix("--") || line.isEmpty {
                    if let data = Data(base64Encoded: block), let text = String(data: data, encoding: .utf8) { decoded += text }
                    block = ""
                    inPart = false
                    inBody = false
                } else {
                    block += line
                }
            }
        }
        return decoded
    }
}
