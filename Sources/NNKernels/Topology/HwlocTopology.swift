import CHwloc

/// Owns the loaded hwloc topology: reads the machine's structure and binds threads to cores.
/// hwloc allows concurrent read-only use and binding once the topology is loaded.
final class HwlocTopology: @unchecked Sendable {
    static let shared = HwlocTopology()

    private let topology: hwloc_topology_t?

    private init() {
        var handle: hwloc_topology_t?
        if hwloc_topology_init(&handle) == 0, hwloc_topology_load(handle) == 0 {
            topology = handle
        } else {
            topology = nil
        }
    }

    private func count(_ type: hwloc_obj_type_t) -> Int {
        guard let topology else { return 0 }
        return max(0, Int(hwloc_get_nbobjs_by_type(topology, type)))
    }

    private func cache(_ type: hwloc_obj_type_t) -> TopologyReading.Cache? {
        guard let topology, let obj = hwloc_get_obj_by_type(topology, type, 0),
              let attr = obj.pointee.attr else { return nil }
        let size = Int(attr.pointee.cache.size)
        guard size > 0 else { return nil }
        let shared = Int(hwloc_get_nbobjs_inside_cpuset_by_type(topology, obj.pointee.cpuset, HWLOC_OBJ_CORE))
        return TopologyReading.Cache(sizeBytes: size, lineBytes: Int(attr.pointee.cache.linesize),
                                     sharedByCores: max(1, shared), instances: count(type))
    }

    func reading() -> TopologyReading {
        var model: String?
        if let topology, let package = hwloc_get_obj_by_type(topology, HWLOC_OBJ_PACKAGE, 0),
           let value = hwloc_obj_get_info_by_name(package, "CPUModel") {
            model = String(cString: value)
        }
        return TopologyReading(packages: count(HWLOC_OBJ_PACKAGE), cores: count(HWLOC_OBJ_CORE),
                               processingUnits: count(HWLOC_OBJ_PU), numaNodes: count(HWLOC_OBJ_NUMANODE),
                               l1d: cache(HWLOC_OBJ_L1CACHE), l2: cache(HWLOC_OBJ_L2CACHE),
                               l3: cache(HWLOC_OBJ_L3CACHE), cpuModel: model)
    }

    /// Binds the calling thread to physical core `index` (modulo the core count).
    /// Returns false where the system refuses binding (some containers do).
    func bindCurrentThread(toCore index: Int) -> Bool {
        guard let topology else { return false }
        let cores = count(HWLOC_OBJ_CORE)
        guard cores > 0, let core = hwloc_get_obj_by_type(topology, HWLOC_OBJ_CORE, UInt32(index % cores)) else {
            return false
        }
        return hwloc_set_cpubind(topology, core.pointee.cpuset, Int32(HWLOC_CPUBIND_THREAD.rawValue)) == 0
    }

    /// Lets the calling thread run on every core of the machine again.
    @discardableResult
    func unbindCurrentThread() -> Bool {
        guard let topology, let root = hwloc_get_root_obj(topology) else { return false }
        return hwloc_set_cpubind(topology, root.pointee.cpuset, Int32(HWLOC_CPUBIND_THREAD.rawValue)) == 0
    }
}
