package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.proto.FieldType;
import io.vigil.flink.VigilFunction;
import io.vigil.runtime.cli.CepOperatorYaml;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The references under docs/reference say what the code does: the spec's fields, types and
 * options; the connector builder's setters; the launcher's commands and every flag each takes.
 * A field, option, setter, command or flag added or removed without its line here fails this test.
 */
class ReferenceDocsTest {
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern FIRST_CELL = Pattern.compile("^\\|\\s*(.+?)\\s*\\|");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])(--?[a-z][a-z-]*)");
    private static final Pattern OPTION_CONSTANT = Pattern.compile("static final String \\w*OPTION = \"([a-z][a-z-]*)\"");
    private static final Pattern CASE_LABELS = Pattern.compile("case (\"[^>]+)->");
    private static final Pattern QUOTED_FLAG = Pattern.compile("\"(--?[a-z][a-z-]*)\"");

    @Test
    void theSpecReferenceListsEveryFieldOfTheResourceAndOfLocalFiles() throws IOException {
        Map<?, ?> crd = new Yaml().load(Files.readString(REPOSITORY.resolve("k8s-operator/deploy/crds/cepoperators.vigil.io-v1.yml")));
        Map<?, ?> version = (Map<?, ?>) ((List<?>) ((Map<?, ?>) crd.get("spec")).get("versions")).get(0);
        Map<?, ?> openApi = (Map<?, ?>) ((Map<?, ?>) version.get("schema")).get("openAPIV3Schema");
        Map<?, ?> spec = (Map<?, ?>) ((Map<?, ?>) openApi.get("properties")).get("spec");
        Set<String> resourceFields = ((Map<?, ?>) spec.get("properties")).keySet().stream().map(String::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(CepOperatorYaml.SPEC_FIELDS).as("a local file takes every field of the resource").containsAll(resourceFields);
        Set<String> fields = new TreeSet<>(resourceFields);
        fields.addAll(CepOperatorYaml.SPEC_FIELDS);
        assertThat(firstCells("reference/spec.md", "Fields")).isEqualTo(fields);
    }

    @Test
    void theSpecReferenceListsEveryFieldTypeAndEveryOptionTheCodeReads() throws IOException {
        Set<String> types = Arrays.stream(FieldType.values())
                .filter(type -> type != FieldType.FIELD_TYPE_UNSPECIFIED && type != FieldType.UNRECOGNIZED)
                .map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        assertThat(firstCells("reference/spec.md", "Field types")).isEqualTo(types);

        Set<String> options = new TreeSet<>();
        try (Stream<Path> files = Files.walk(REPOSITORY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/")
                    && !f.toString().contains("/target/")).toList()) {
                Matcher constant = OPTION_CONSTANT.matcher(Files.readString(file));
                while (constant.find()) {
                    options.add(constant.group(1));
                }
            }
        }
        assertThat(options).as("option constants found in the sources").contains("retention", "late-events");
        assertThat(firstCells("reference/spec.md", "Options")).isEqualTo(options);
    }

    @Test
    void theConnectorReferenceListsEverySetterOfTheBuilder() throws IOException {
        Set<String> setters = Arrays.stream(VigilFunction.Builder.class.getDeclaredMethods())
                .filter(method -> Modifier.isPublic(method.getModifiers()) && method.getName().startsWith("set"))
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = firstCells("reference/connector.md", "Builder").stream()
                .map(cell -> cell.replaceAll("\\(.*", "")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).isEqualTo(setters);
    }

    @Test
    void theCliReferenceHasEveryCommandWithEveryFlagItsHelpAndItsParserKnow() throws Exception {
        String usage = launcher("--help");
        Set<String> commands = usage.lines().map(line -> Pattern.compile("^  ([a-z][a-z-]*)\\b").matcher(line))
                .filter(Matcher::find).map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(commands).contains("demo", "host", "deploy", "list", "bench");
        Map<String, String> sections = sections(Files.readString(REPOSITORY.resolve("docs/reference/cli.md")));
        Set<String> documentedCommands = sections.keySet().stream().filter(h -> h.matches("`[a-z-]+`"))
                .map(h -> h.substring(1, h.length() - 1)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(documentedCommands).isEqualTo(commands);

        Set<String> operatorCommandFlags = new TreeSet<>();
        for (String command : commands) {
            Set<String> inHelp = flags(launcher(command, "--help"));
            Set<String> inDocs = new TreeSet<>();
            for (String cell : firstCells(sections.get("`" + command + "`"))) {
                inDocs.addAll(flags(cell));
            }
            assertThat(inDocs).as("flags of %s in docs/reference/cli.md against its --help", command).isEqualTo(inHelp);
            if (Set.of("deploy", "update", "undeploy", "describe", "rescale", "list").contains(command)) {
                operatorCommandFlags.addAll(inHelp);
            }
        }

        Map<String, String> parsers = Map.of(
                "demo", "examples/fraud-detection/src/main/java/io/vigil/examples/fraud/FraudDemo.java",
                "host", "function-runtime/src/main/java/io/vigil/runtime/Main.java",
                "bench", "tests/benchmarks/src/main/java/io/vigil/benchmarks/harness/SideBySide.java",
                "bench-swap", "tests/benchmarks/src/main/java/io/vigil/benchmarks/swap/SwapBenchmark.java",
                "bench-languages", "tests/benchmarks/src/main/java/io/vigil/benchmarks/languages/LanguageBenchmark.java",
                "bench-four-rules", "tests/benchmarks/src/main/java/io/vigil/benchmarks/fourrules/FourRuleBenchmark.java",
                "bench-scaling", "tests/benchmarks/src/main/java/io/vigil/benchmarks/harness/ScalingBenchmark.java",
                "bench-rescale", "tests/benchmarks/src/main/java/io/vigil/benchmarks/harness/RescaleBenchmark.java");
        for (var parser : parsers.entrySet()) {
            Set<String> parsed = parsedFlags(parser.getValue());
            if (parser.getKey().startsWith("bench")) {
                parsed.remove("--plugins"); // the launcher passes it
            }
            assertThat(flags(launcher(parser.getKey(), "--help"))).as("--help of %s against %s", parser.getKey(), parser.getValue())
                    .isEqualTo(parsed);
        }
        assertThat(operatorCommandFlags).isEqualTo(parsedFlags("function-runtime/src/main/java/io/vigil/runtime/cli/OperatorCommands.java"));
    }

    private static Set<String> parsedFlags(String source) throws IOException {
        Set<String> flags = new TreeSet<>();
        Matcher labels = CASE_LABELS.matcher(Files.readString(REPOSITORY.resolve(source)));
        while (labels.find()) {
            Matcher flag = QUOTED_FLAG.matcher(labels.group(1));
            while (flag.find()) {
                flags.add(flag.group(1));
            }
        }
        flags.removeAll(Set.of("--help", "-h"));
        return flags;
    }

    private static Set<String> flags(String text) {
        Set<String> flags = new TreeSet<>();
        Matcher flag = FLAG.matcher(text);
        while (flag.find()) {
            flags.add(flag.group(1));
        }
        flags.removeAll(Set.of("--help", "-h"));
        return flags;
    }

    private static String launcher(String... args) throws IOException, InterruptedException {
        Launcher.Run run = Launcher.run(args);
        assertThat(run.exitCode()).as("./vigil %s\n%s", String.join(" ", args), run.output()).isZero();
        return run.output();
    }

    /** The backticked names in the first column of the tables under heading {@code ## title} of a docs/ file. */
    private static Set<String> firstCells(String doc, String title) throws IOException {
        String section = sections(Files.readString(REPOSITORY.resolve("docs").resolve(doc))).get(title);
        assertThat(section).as("section '## %s' of docs/%s", title, doc).isNotNull();
        Set<String> names = new TreeSet<>();
        for (String cell : firstCells(section)) {
            Matcher name = BACKTICKED.matcher(cell);
            if (name.find()) {
                names.add(name.group(1));
            }
        }
        return names;
    }

    private static List<String> firstCells(String section) {
        return section.lines().map(FIRST_CELL::matcher).filter(Matcher::find).map(m -> m.group(1))
                .filter(cell -> cell.contains("`")).toList();
    }

    private static Map<String, String> sections(String markdown) {
        Map<String, String> sections = new LinkedHashMap<>();
        String title = "";
        StringBuilder body = new StringBuilder();
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("## ")) {
                sections.put(title, body.toString());
                title = line.substring(3).trim();
                body.setLength(0);
            } else {
                body.append(line).append('\n');
            }
        }
        sections.put(title, body.toString());
        return sections;
    }
}
