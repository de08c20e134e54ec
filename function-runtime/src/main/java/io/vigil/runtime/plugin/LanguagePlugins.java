package io.vigil.runtime.plugin;

import io.vigil.api.spi.LanguageAdapter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The language adapters this host runs: those on its own class path, and one plugin per folder
 * under the plugins directory (the folder's jars, in a class loader of their own).
 */
public final class LanguagePlugins {
    private static final Logger LOG = LoggerFactory.getLogger(LanguagePlugins.class);

    private final Map<String, LanguageAdapter> adapters;

    private LanguagePlugins(Map<String, LanguageAdapter> adapters) {
        this.adapters = adapters;
    }

    public static LanguagePlugins load(Path pluginsDirectory) {
        Map<String, LanguageAdapter> adapters = new TreeMap<>();
        ClassLoader host = LanguagePlugins.class.getClassLoader();
        for (LanguageAdapter adapter : ServiceLoader.load(LanguageAdapter.class, host)) {
            register(adapters, adapter, "class path");
        }
        if (pluginsDirectory != null && Files.isDirectory(pluginsDirectory)) {
            for (Path folder : folders(pluginsDirectory)) {
                URL[] jars = jars(folder);
                if (jars.length == 0) {
                    continue;
                }
                PluginClassLoader loader = new PluginClassLoader("vigil-plugin-" + folder.getFileName(), jars, host);
                int found = 0;
                for (LanguageAdapter adapter : ServiceLoader.load(LanguageAdapter.class, loader)) {
                    if (adapter.getClass().getClassLoader() == loader) {
                        register(adapters, adapter, folder.toString());
                        found++;
                    }
                }
                if (found == 0) {
                    LOG.warn("Plugin folder {} holds jars but no language adapter", folder);
                }
            }
        } else if (pluginsDirectory != null) {
            LOG.warn("Plugins directory {} does not exist; only class-path adapters are available", pluginsDirectory);
        }
        return new LanguagePlugins(Map.copyOf(adapters));
    }

    public LanguageAdapter adapter(String language) {
        return adapters.get(language);
    }

    public List<String> languages() {
        return List.copyOf(new TreeMap<>(adapters).keySet());
    }

    private static void register(Map<String, LanguageAdapter> adapters, LanguageAdapter adapter, String from) {
        LanguageAdapter previous = adapters.putIfAbsent(adapter.language(), adapter);
        if (previous != null) {
            throw new IllegalStateException("two adapters for language '" + adapter.language() + "': "
                    + previous.getClass().getName() + " and " + adapter.getClass().getName() + " from " + from);
        }
        LOG.info("Language '{}' from {}", adapter.language(), from);
    }

    private static List<Path> folders(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugins directory " + directory, e);
        }
    }

    private static URL[] jars(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            List<URL> urls = new ArrayList<>();
            for (Path jar : entries.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
            return urls.toArray(URL[]::new);
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugin folder " + folder, e);
        }
    }
}
