package dev.tensorfile.core.spi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The writer that {@link AtomicFileSetTest} kills: commits generation after generation of the set {@code a b c}
 * in a directory, each file holding {@code "gen N"} padded to 64 KiB, and says on stdout where it is.
 * Arguments: DIRECTORY FIRST_GENERATION PAUSE ({@code none}: run flat out; {@code written}: stop before the commit
 * point of the first generation; {@code renamed}: stop after the first rename of the first generation).
 */
final class AtomicFileSetKillChild {
    private AtomicFileSetKillChild() {}

    static final String[] NAMES = {"a", "b", "c"};

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long gen = Long.parseLong(args[1]);
        String pause = args[2];
        AtomicFileSet.beforeRename = i -> {
            if (pause.equals("renamed") && i == 1) {
                System.out.println("renamed 0");
                System.out.flush();
                sleepForever();
            }
        };
        for (;; gen++) {
            try (AtomicFileSet set = AtomicFileSet.create("test")) {
                for (String name : NAMES) set.add(dir.resolve(name)).write(content(gen));
                if (pause.equals("written")) {
                    System.out.println("written");
                    System.out.flush();
                    sleepForever();
                }
                set.commit();
            }
            System.out.println("committed " + gen);
            System.out.flush();
        }
    }

    static byte[] content(long gen) {
        byte[] b = new byte[64 << 10];
        byte[] text = ("gen " + gen + "\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, b, 0, text.length);
        return b;
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
