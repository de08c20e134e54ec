package io.vigil.runtime.plugin;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * Loads a plugin's classes from its own jars first, so each language adapter can bring whatever
 * versions of its dependencies it needs. Only the JDK, the Vigil API and the logging facade come
 * from the host, because those types cross the boundary between host and adapter.
 */
public final class PluginClassLoader extends URLClassLoader {
    private static final String[] SHARED = {"java.", "javax.", "jdk.", "sun.", "com.sun.", "io.vigil.api.", "org.slf4j."};

    static {
        registerAsParallelCapable();
    }

    public PluginClassLoader(String name, URL[] jars, ClassLoader host) {
        super(name, jars, host);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                try {
                    loaded = findClass(name);
                } catch (ClassNotFoundException notInPlugin) {
                    loaded = getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    @Override
    public URL getResource(String name) {
        URL own = findResource(name);
        return own != null ? own : super.getResource(name);
    }

    private static boolean isShared(String className) {
        for (String prefix : SHARED) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
