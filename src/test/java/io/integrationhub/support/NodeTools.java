package io.integrationhub.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

/**
 * The Node.js tools of {@code clients/typescript} (Redocly CLI, openapi-typescript, tsc), versions pinned by its
 * package-lock.json. {@link #ready()} finds node and npm — missing, the calling test fails in CI ({@code CI=true},
 * where .ci/run installs them) and is skipped elsewhere with the reason — and runs {@code npm ci} once per
 * lockfile (a marker in node_modules remembers which), so later runs need no network.
 */
public final class NodeTools {

    public static final Path FOLDER = Path.of("clients", "typescript");
    /** The API document as it is now in the source tree (what the hub will serve). */
    public static final Path API_DOCUMENT = Path.of("src", "main", "resources", "api", "openapi.yaml");
    private static final Path MARKER = FOLDER.resolve("node_modules").resolve(".integration-hub-lock-sha256");
    /** A guard against a hung tool, not a speed expectation: generous on a busy 2-core machine. */
    private static final long TOOL_TIMEOUT_MINUTES = 10;

    public record Result(int exitCode, String stdout, String stderr) {
        public String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    private NodeTools() {
    }

    /** node, npm and the pinned packages, installed; or the test fails (CI) or is skipped (elsewhere). */
    public static void ready() {
        for (String tool : List.of("node", "npm")) {
            Result version;
            try {
                version = run(Map.of(), tool, "--version");
            } catch (IOException e) {
                version = null;
            }
            if (version == null || version.exitCode() != 0) {
                unavailable(tool + " is not installed");
            } else if ("node".equals(tool) && !supported(version.stdout().strip())) {
                unavailable("node " + version.stdout().strip() + " is too old");
            }
        }
        install();
    }

    private static void unavailable(String reason) {
        String why = reason + "; this test needs Node.js 18.19+ and npm (Debian: apt-get install nodejs npm)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + ". In CI that is an error, not a skip: .ci/run installs them.");
        }
        Assumptions.abort(why + ". Skipped outside CI.");
    }

    /** At least 18.19 (the oldest the pinned packages support; Debian 12 has 18.20). */
    static boolean supported(String nodeVersion) {
        Matcher v = Pattern.compile("v?(\\d+)\\.(\\d+).*").matcher(nodeVersion);
        if (!v.matches()) {
            return false;
        }
        int major = Integer.parseInt(v.group(1));
        return major > 18 || major == 18 && Integer.parseInt(v.group(2)) >= 19;
    }

    private static synchronized void install() {
        Path lockFile = Path.of("target", "clients-typescript-npm.lock");
        try {
            Files.createDirectories(lockFile.getParent());
            // Test JVMs running in parallel must not run npm ci in the same folder at the same time.
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                String wanted = sha256(Files.readAllBytes(FOLDER.resolve("package-lock.json")));
                if (Files.isRegularFile(MARKER) && Files.readString(MARKER).strip().equals(wanted)) {
                    return;
                }
                Result ci = run(Map.of(), "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
                if (ci.exitCode() != 0) {
                    fail("npm ci in " + FOLDER + " failed:\n" + ci.describe());
                }
                Files.writeString(MARKER, wanted + "\n");
            }
        } catch (IOException e) {
            fail("could not install the Node.js tools in " + FOLDER + ": " + e);
        }
    }

    /** Runs a command in clients/typescript with the given extra environment; stdout and stderr kept apart. */
    public static Result run(Map<String, String> env, String... command) throws IOException {
        Path out = Files.createTempFile("node-out", ".txt");
        Path err = Files.createTempFile("node-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(FOLDER.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("NO_COLOR", "1");
            builder.environment().put("REDOCLY_TELEMETRY", "off");
            builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
            builder.environment().putAll(env);
            Process process = builder.start();
            try {
                if (!process.waitFor(TOOL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    fail(String.join(" ", command) + " did not finish in " + TOOL_TIMEOUT_MINUTES + " minutes:\n"
                            + Files.readString(out) + Files.readString(err));
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The API document's path as the tools in clients/typescript see it. */
    public static String apiDocumentArgument() {
        return FOLDER.toAbsolutePath().relativize(API_DOCUMENT.toAbsolutePath()).toString();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
