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
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The language adapters this host runs: those on its own class path, and one plugin per folder
 * under the plugins directory, named for its language (the folder's jars, in a class loader of
 * their own). A plugin is loaded when an operator of its language is first deployed or restored,
 * so a host starts without paying for languages it does not run.
 */
public final class LanguagePlugins {
    private static final Logger LOG = LoggerFactory.getLogger(LanguagePlugins.class);

    private final Map<String, LanguageAdapter> adapters = new ConcurrentHashMap<>();
    private final Map<String, Path> unloaded;
    private final Map<String, Map<String, String>> settings;

    private LanguagePlugins(Map<String, LanguageAdapter> onClassPath, Map<String, Path> plugins, Map<String, Map<String, String>> settings) {
        this.adapters.putAll(onClassPath);
        this.unloaded = new ConcurrentHashMap<>(plugins);
        this.settings = settings;
    }

    public static LanguagePlugins load(Path pluginsDirectory) {
        return load(pluginsDirectory, Map.of());
    }

    /**
     * @param settings the host's settings per language, given to each adapter before its first compile
     * @throws IllegalArgumentException naming a setting an adapter on the class path refuses (a plugin's refuses at its first use)
     */
    public static LanguagePlugins load(Path pluginsDirectory, Map<String, Map<String, String>> settings) {
        Map<String, LanguageAdapter> onClassPath = new TreeMap<>();
        for (LanguageAdapter adapter : ServiceLoader.load(LanguageAdapter.class, LanguagePlugins.class.getClassLoader())) {
            LanguageAdapter previous = onClassPath.putIfAbsent(adapter.language(), adapter);
            if (previous != null) {
                throw new IllegalStateException("two adapters for language '" + adapter.language() + "' on the class path: "
                        + previous.getClass().getName() + " and " + adapter.getClass().getName());
            }
            LOG.info("Language '{}' from the class path", adapter.language());
        }
        Map<String, Path> plugins = new TreeMap<>();
        if (pluginsDirectory != null && Files.isDirectory(pluginsDirectory)) {
            for (Path folder : folders(pluginsDirectory)) {
                String language = folder.getFileName().toString();
                if (!onClassPath.containsKey(language)) {
                    plugins.put(language, folder);
                }
            }
        } else if (pluginsDirectory != null) {
            LOG.warn("Plugins directory {} does not exist; only class-path adapters are available", pluginsDirectory);
        }
        for (String language : settings.keySet()) {
            if (!onClassPath.containsKey(language) && !plugins.containsKey(language)) {
                LOG.warn("Settings {} for language '{}', which this host does not have", settings.get(language).keySet(), language);
            }
        }
        for (LanguageAdapter adapter : onClassPath.values()) {
            adapter.configure(settings.getOrDefault(adapter.language(), Map.of()));
        }
        return new LanguagePlugins(onClassPath, plugins, Map.copyOf(settings));
    }

    /**
     * The adapter for {@code language}, loading its plugin the first time; null when the host has none.
     *
     * @throws IllegalStateException naming the folder when the plugin cannot be loaded
     */
    public LanguageAdapter adapter(String language) {
        LanguageAdapter adapter = adapters.get(language);
        if (adapter != null || !unloaded.containsKey(language)) {
            return adapter;
        }
        synchronized (this) {
            adapter = adapters.get(language);
            if (adapter == null) {
                adapter = loadPlugin(language, unloaded.get(language));
                adapter.configure(settings.getOrDefault(language, Map.of()));
                adapters.put(language, adapter);
                unloaded.remove(language);
            }
            return adapter;
        }
    }

    /** Every language this host can run, loaded or not. */
    public List<String> languages() {
        TreeSet<String> languages = new TreeSet<>(adapters.keySet());
        languages.addAll(unloaded.keySet());
        return List.copyOf(languages);
    }

    private static LanguageAdapter loadPlugin(String language, Path folder) {
        long started = System.nanoTime();
        URL[] jars = jars(folder);
        if (jars.length == 0) {
            throw new IllegalStateException("the plugin folder " + folder + " for language '" + language + "' holds no jars");
        }
        PluginClassLoader loader = new PluginClassLoader("vigil-plugin-" + language, jars, LanguagePlugins.class.getClassLoader());
        // The adapter starts with its own class loader as the context one, whatever thread asks for it
        // (a gRPC thread may carry a class loader someone else has closed): engines such as GraalJS
        // look their services up through it while their classes initialise.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        LanguageAdapter found = null;
        try {
            for (LanguageAdapter adapter : ServiceLoader.load(LanguageAdapter.class, loader)) {
                if (adapter.getClass().getClassLoader() != loader) {
                    continue;
                }
                if (!adapter.language().equals(language)) {
                    throw new IllegalStateException("the plugin folder " + folder + " holds an adapter for language '"
                            + adapter.language() + "'; a plugin's folder is named for its language");
                }
                found = adapter;
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new IllegalStateException("the plugin in " + folder + " failed to start: " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        if (found == null) {
            throw new IllegalStateException("the plugin folder " + folder + " holds jars but no language adapter");
        }
        LOG.info("Language '{}' from {} loaded in {} ms", language, folder, (System.nanoTime() - started) / 1_000_000);
        return found;
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
