package io.lokiconnect.it.plugins;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classes a class file uses, read from its class file: its super class and interfaces, the owners of the
 * fields and methods it calls or reads, and the types in the descriptors of those members and of its own. Enough
 * to see whether a shaded class still points at an unrelocated package, without a bytecode library.
 *
 * <p>A class entry of the constant pool that nothing uses is not counted: javac (JDK 9+) records the class of
 * every constant it inlines ({@code LokiHeaders.LABEL_PREFIX}) as such an entry, and the shade plugin copies
 * the pool as it is; the JVM never resolves an unused entry, so it does no harm.
 */
final class ClassReferences {

    private static final Pattern OBJECT_TYPE = Pattern.compile("L([^;<>]+);");

    private ClassReferences() {
    }

    /** Internal names ({@code java/lang/String}) of every class the class file refers to. */
    static Set<String> of(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        Map<Integer, Integer> classNames = new HashMap<>(); // class entry -> its name's utf8 entry
        List<Integer> memberOwners = new ArrayList<>();
        List<Integer> descriptors = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // eight-byte constants take two slots
                }
                case 7 -> classNames.put(i, in.readUnsignedShort());
                case 8, 19, 20 -> in.readUnsignedShort();
                case 16 -> descriptors.add(in.readUnsignedShort());
                case 12 -> {
                    in.readUnsignedShort();
                    descriptors.add(in.readUnsignedShort());
                }
                case 9, 10, 11 -> {
                    memberOwners.add(in.readUnsignedShort());
                    in.readUnsignedShort();
                }
                case 17, 18 -> in.readInt();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        Set<Integer> usedClasses = new HashSet<>(memberOwners);
        in.readUnsignedShort(); // access flags
        in.readUnsignedShort(); // this class
        usedClasses.add(in.readUnsignedShort()); // super class (0 for java/lang/Object)
        int interfaces = in.readUnsignedShort();
        for (int i = 0; i < interfaces; i++) {
            usedClasses.add(in.readUnsignedShort());
        }
        for (int members = 0; members < 2; members++) { // fields, then methods
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                in.readUnsignedShort(); // access flags
                in.readUnsignedShort(); // name
                descriptors.add(in.readUnsignedShort());
                skipAttributes(in);
            }
        }
        Set<String> refs = new HashSet<>();
        for (int index : usedClasses) {
            if (index == 0) {
                continue;
            }
            String name = utf8[classNames.get(index)];
            if (name.startsWith("[")) {
                addObjectTypes(name, refs);
            } else {
                refs.add(name);
            }
        }
        for (int index : descriptors) {
            addObjectTypes(utf8[index], refs);
        }
        return refs;
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        for (int i = 0; i < n; i++) {
            in.readUnsignedShort();
            in.skipNBytes(Integer.toUnsignedLong(in.readInt()));
        }
    }

    private static void addObjectTypes(String descriptor, Set<String> refs) {
        Matcher m = OBJECT_TYPE.matcher(descriptor);
        while (m.find()) {
            refs.add(m.group(1));
        }
    }
}
