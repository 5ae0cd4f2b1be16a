package dev.tensorfile.pickle.numpy;

/**
 * joblib before 0.10 names each array's file in the pickle ({@code NDArrayWrapper.filename}) and loads it from the
 * pickle's directory ({@code os.path.join(dirname, filename)}); only a plain name there is followed, so a pickle
 * cannot make the reader or the scanner open a file elsewhere.
 */
public final class Siblings {
    private Siblings() {}

    /** Why {@code name} is not a plain file name in the pickle's directory, or null when it is. */
    public static String problem(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) return "is not a file name";
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf(':') >= 0 || name.indexOf('\0') >= 0) {
            return "leaves the pickle's directory";
        }
        return null;
    }
}
