package io.vigil.benchmarks.harness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Two bar charts side by side: maximum throughput, and p50/p99 latency at 70 % load, per variant. */
final class Chart {
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 460;
    private static final Color[] COLORS = {new Color(0x4e79a7), new Color(0xe15759), new Color(0x76b7b2), new Color(0xf28e2b), new Color(0x59a14f)};

    private Chart() {
    }

    static void write(Map<Variant, SideBySide.Result> results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        SideBySide.Result[] rows = results.values().toArray(SideBySide.Result[]::new);
        double[] throughput = new double[rows.length];
        double[] p50 = new double[rows.length];
        double[] p99 = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            throughput[i] = rows[i].max().eventsPerSecond();
            p50[i] = rows[i].atLoad().p50Millis();
            p99[i] = rows[i].atLoad().p99Millis();
        }
        panel(g, rows, 40, "max throughput (events/s)", throughput, null);
        panel(g, rows, WIDTH / 2 + 20, "latency at 70% load: p50 (solid), p99 (outline), ms", p50, p99);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void panel(Graphics2D g, SideBySide.Result[] rows, int left, String title, double[] values, double[] outline) {
        int top = 50;
        int bottom = HEIGHT - 70;
        int width = WIDTH / 2 - 80;
        double max = 0;
        for (int i = 0; i < values.length; i++) {
            max = Math.max(max, Math.max(values[i], outline == null ? 0 : outline[i]));
        }
        max = max <= 0 ? 1 : max * 1.15;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, 30);
        g.drawLine(left, bottom, left + width, bottom);
        int slot = width / Math.max(1, rows.length);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i < rows.length; i++) {
            int x = left + i * slot + slot / 5;
            int barWidth = slot * 3 / 5;
            int h = (int) ((bottom - top) * values[i] / max);
            g.setColor(COLORS[rows[i].variant().ordinal() % COLORS.length]);
            g.fillRect(x, bottom - h, barWidth, h);
            if (outline != null) {
                int h99 = (int) ((bottom - top) * outline[i] / max);
                g.setStroke(new BasicStroke(2f));
                g.drawRect(x, bottom - h99, barWidth, h99);
            }
            g.setColor(Color.BLACK);
            String label = outline == null ? String.format(Locale.ROOT, "%,.0f", values[i])
                    : String.format(Locale.ROOT, "%.1f / %.1f", values[i], outline[i]);
            int top99 = outline == null ? h : Math.max(h, (int) ((bottom - top) * outline[i] / max));
            g.drawString(label, x, bottom - top99 - 6);
            g.drawString("(" + rows[i].variant().letter + ")", x + barWidth / 2 - 8, bottom + 18);
            g.drawString(shortName(rows[i].variant()), x - 4, bottom + 34);
        }
    }

    private static String shortName(Variant variant) {
        return switch (variant) {
            case EMBEDDED_ESPER -> "embedded";
            case VIGIL -> "Vigil";
            case VIGIL_CHECKPOINTED -> "Vigil+ckpt";
            case VIGIL_TLS -> "Vigil mTLS";
            case CALL_PER_EVENT -> "call/event";
            case FLINK_CEP -> "Flink CEP";
            case HOST_ONLY -> "host alone";
        };
    }
}
