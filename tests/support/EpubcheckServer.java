// One EPUBCheck JVM for a whole test run (tests only), shared by every pytest-xdist worker.
// Started by tests/conftest.py with the single-file source launcher:
//     java -cp epubcheck.jar EpubcheckServer.java PORT_FILE IDLE_SECONDS
// it listens on a loopback port, which it writes to PORT_FILE once ready. Each connection
// sends one line "REPORT.json\tBOOK.epub"; the server runs EPUBCheck's own command-line tool
// on it (usage messages on, JSON report) and answers "done EXITCODE". A line "quit" stops it,
// and so does IDLE_SECONDS without a connection (a run that died cannot leave it behind).
// This saves the 10-20 s JVM start per EPUB; conftest falls back to `java -jar` without it.
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

public class EpubcheckServer {
    public static void main(String[] args) throws Exception {
        Path portFile = Paths.get(args[0]);
        int idleMillis = Integer.parseInt(args[1]) * 1000;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(idleMillis);
            Path partial = portFile.resolveSibling(portFile.getFileName() + ".partial");
            Files.writeString(partial, Integer.toString(server.getLocalPort()));
            Files.move(partial, portFile, StandardCopyOption.ATOMIC_MOVE);
            while (true) {
                Socket client;
                try {
                    client = server.accept();
                } catch (SocketTimeoutException idle) {
                    return;
                }
                try (client) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                    PrintStream answer = new PrintStream(client.getOutputStream(), true, "UTF-8");
                    String line = in.readLine();
                    if (line == null || line.isEmpty()) {
                        continue;  // a liveness probe
                    }
                    if (line.equals("quit")) {
                        answer.println("bye");
                        return;
                    }
                    String[] parts = line.split("\t", 2);
                    System.setOut(quiet);
                    System.setErr(quiet);
                    int code;
                    try {
                        code = new EpubChecker().run(new String[] {"-u", "--json", parts[0], parts[1]});
                    } catch (Throwable t) {
                        code = 99;
                    }
                    answer.println("done " + code);
                } catch (Exception broken) {
                    // a client that went away: serve the next one
                }
            }
        }
    }
}
