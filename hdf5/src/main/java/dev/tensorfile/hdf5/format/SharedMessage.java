package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

/**
 * A shared message (spec IV.A.2.p, "Shared Message"): the message lives in another object's header (a committed
 * datatype). Messages shared through the shared-message heap are refused by name.
 */
public final class SharedMessage {
    private SharedMessage() {}

    public static DatatypeMessage datatype(AddressSpace space, ByteCursor c) {
        int version = c.u8();
        int type = c.u8();
        long address;
        if (version == 1) {
            c.skip(6);
            address = space.offset(c);
        } else if (version == 2 || (version == 3 && type == 2)) {
            address = space.offset(c);
        } else if (version == 3) {
            throw space.unsupported("datatypes in the shared object header message heap are not supported");
        } else {
            throw c.failAt(0, "shared message version " + version + " is not 1, 2 or 3");
        }
        ObjectHeader h = ObjectHeader.read(space, address);
        ObjectHeader.Message m = h.first(ObjectHeader.DATATYPE);
        if (m == null) throw space.malformed("object header", address, "a shared datatype points here but there is no datatype message");
        if (m.shared()) throw space.malformed("object header", address, "a committed datatype is itself shared");
        return DatatypeMessage.of(space, m);
    }
}
