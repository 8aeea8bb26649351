// Drives Callr's official legacy Java SDK (THECALLR/sdk-java, vendored unchanged under
// vendor/, MIT) for tests/test_official_sdks.py: one JSON request per stdin line
// ({method, params}), one JSON answer per stdout line ({result} or {error: {code, message}}).
// The SDK only speaks HTTPS (it casts its connection to HttpsURLConnection); a URL handler
// for "https" carries its requests over plain HTTP to the sandbox (argv: url login password
// [loginAsType loginAsTarget]). Nothing of the SDK is changed.
import com.callr.Api;
import com.callr.auth.LoginPasswordAuth;
import com.callr.exceptions.CallrException;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.ArrayList;
import javax.net.ssl.HttpsURLConnection;

public class SdkDriver {
    /** An HttpsURLConnection that is, underneath, a plain HTTP one to the same host and port. */
    static final class PlainHttps extends HttpsURLConnection {
        private final HttpURLConnection http;

        PlainHttps(URL url) throws IOException {
            super(url);
            URL plain = new URL("http", url.getHost(), url.getPort(), url.getFile());
            this.http = (HttpURLConnection) plain.openConnection(Proxy.NO_PROXY);
        }

        @Override public String getCipherSuite() { return "none (plain HTTP to the sandbox)"; }
        @Override public Certificate[] getLocalCertificates() { return new Certificate[0]; }
        @Override public Certificate[] getServerCertificates() { return new Certificate[0]; }
        @Override public void connect() throws IOException { http.connect(); }
        @Override public void disconnect() { http.disconnect(); }
        @Override public boolean usingProxy() { return false; }
        @Override public void setDoOutput(boolean value) { http.setDoOutput(value); }
        @Override public void setRequestMethod(String method) throws java.net.ProtocolException { http.setRequestMethod(method); }
        @Override public void setRequestProperty(String key, String value) { http.setRequestProperty(key, value); }
        @Override public OutputStream getOutputStream() throws IOException { return http.getOutputStream(); }
        @Override public int getResponseCode() throws IOException { return http.getResponseCode(); }
        @Override public InputStream getErrorStream() { return http.getErrorStream(); }
        @Override public InputStream getInputStream() throws IOException {
            // a JSON-RPC error can come with a 4xx/5xx (401 for bad credentials): its body
            // is the answer the SDK reads
            return http.getResponseCode() >= 400 ? http.getErrorStream() : http.getInputStream();
        }
    }

    public static void main(String[] args) throws Exception {
        URL.setURLStreamHandlerFactory(protocol -> !"https".equals(protocol) ? null : new URLStreamHandler() {
            @Override protected URLConnection openConnection(URL url) throws IOException { return new PlainHttps(url); }
            @Override protected URLConnection openConnection(URL url, Proxy proxy) throws IOException { return new PlainHttps(url); }
        });
        String https = args[0].replaceFirst("^http://", "https://");
        Api api = new Api(new LoginPasswordAuth(args[1], args[2]), null);
        api.setApiUrl(https);
        if (args.length > 4) {
            api.setLoginAs(args[3], args[4]);
        }
        Gson gson = new GsonBuilder().serializeNulls().create(); // a JSON null stays a null
        BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
            JsonObject request = JsonParser.parseString(line).getAsJsonObject();
            ArrayList<Object> params = new ArrayList<>();
            for (JsonElement param : request.getAsJsonArray("params")) {
                params.add(param);
            }
            JsonObject answer = new JsonObject();
            try {
                JsonElement result = api.send(request.get("method").getAsString(), params);
                answer.add("result", result == null ? JsonNull.INSTANCE : result);
            } catch (CallrException error) {
                JsonObject body = new JsonObject();
                body.addProperty("code", error.code);
                body.addProperty("message", error.getMessage());
                body.add("data", error.data == null ? JsonNull.INSTANCE : gson.toJsonTree(error.data));
                answer.add("error", body);
            }
            System.out.println(gson.toJson(answer));
            System.out.flush();
        }
    }
}
