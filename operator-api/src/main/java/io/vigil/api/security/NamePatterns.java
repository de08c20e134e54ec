package io.vigil.api.security;

import java.util.List;
import java.util.regex.Pattern;

/** Names with {@code *} standing for any run of characters, as a policy or a host setting writes them. */
public final class NamePatterns {
    private NamePatterns() {
    }

    public static Pattern of(String glob) {
        return Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
    }

    public static List<Pattern> of(List<String> globs) {
        return globs.stream().map(NamePatterns::of).toList();
    }
}
