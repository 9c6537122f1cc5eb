// One EPUBCheck JVM for many EPUBs (tests only). Reads lines "REPORT.json\tBOOK.epub" on
// standard input, runs EPUBCheck's own command-line tool on each (usage messages on, JSON
// report) and answers each with a line "done EXITCODE". Started by tests/conftest.py with
// the single-file source launcher (`java -cp epubcheck.jar EpubcheckServer.java`), which
// saves the 10-20 s JVM start per EPUB; conftest falls back to `java -jar` without it.
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.OutputStream;

public class EpubcheckServer {
    public static void main(String[] args) throws Exception {
        PrintStream answers = System.out;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split("\t", 2);
            System.setOut(quiet);
            System.setErr(quiet);
            int code;
            try {
                code = new EpubChecker().run(new String[] {"-u", "--json", parts[0], parts[1]});
            } catch (Throwable t) {
                code = 99;
            }
            answers.println("done " + code);
            answers.flush();
        }
    }
}
