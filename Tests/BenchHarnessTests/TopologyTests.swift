import Foundation
import Testing
@testable import BenchHarness
import NNKernels

@Suite("Topology and tuning")
struct TopologyTests {
    @Test func theMachineIsDescribedConsistently() {
        let topology = Topology.current
        #expect(topology.cores >= 1)
        #expect(topology.processingUnits >= topology.cores)
        #expect(topology.processingUnits == ProcessInfo.processInfo.activeProcessorCount)
        #expect(topology.packages >= 1 && topology.numaNodes >= 1)
        #expect(topology.l1d.sizeBytes >= 4096)
        #expect(topology.l1d.sizeBytes < topology.l2.sizeBytes)
        #expect(topology.l2.sizeBytes < topology.l3.sizeBytes)
        #expect([32, 64, 128].contains(topology.l1d.lineBytes))
        #expect(topology.l3.sharedByCores >= 1 && topology.l3.sharedByCores <= topology.cores)
    }

    @Test func missingCachesFallBackToDefaultsAndSaySo() {
        let reading = TopologyReading(packages: 1, cores: 4, processingUnits: 8, numaNodes: 1,
                                      l1d: .init(sizeBytes: 48 << 10, lineBytes: 64, sharedByCores: 1, instances: 4),
                                      l2: nil, l3: .init(sizeBytes: 0, lineBytes: 0, sharedByCores: 4, instances: 1),
                                      cpuModel: nil)
        let topology = reading.resolved()
        #expect(topology.fallbacks == ["L2", "L3"])
        #expect(topology.l1d.sizeBytes == 48 << 10 && topology.l1d.reportedByHardware)
        #expect(topology.l2.sizeBytes == Topology.defaultCaches.l2 && !topology.l2.reportedByHardware)
        #expect(topology.l3.sizeBytes == Topology.defaultCaches.l3 && topology.l3.sharedByCores == 4)
        #expect(topology.cpuModel == "unknown")
        #expect(TopologyReport.render(topology).contains("default: hwloc reported no L2"))
    }

    @Test func blockingFollowsTheCaches() {
        let reading = TopologyReading(packages: 1, cores: 2, processingUnits: 2, numaNodes: 1,
                                      l1d: .init(sizeBytes: 32 << 10, lineBytes: 64, sharedByCores: 1, instances: 2),
                                      l2: .init(sizeBytes: 512 << 10, lineBytes: 64, sharedByCores: 1, instances: 2),
                                      l3: .init(sizeBytes: 32 << 20, lineBytes: 64, sharedByCores: 2, instances: 1),
                                      cpuModel: "test")
        let topology = reading.resolved()
        for (mr, nr) in [(6, 16), (4, 24), (12, 32)] {
            let blocking = GemmBlocking.derived(mr: mr, nr: nr, topology: topology)
            #expect(blocking.kc % 8 == 0 && blocking.mc % mr == 0 && blocking.nc % nr == 0)
            #expect((mr + nr) * blocking.kc * 4 <= topology.l1d.sizeBytes * 3 / 4)
            #expect(blocking.mc * blocking.kc * 4 <= topology.l2.sizeBytes / 2)
            #expect(blocking.kc * blocking.nc * 4 <= topology.l3.sizeBytes / 2)
        }
        #expect(GemmBlocking.derived(mr: 6, nr: 16, topology: topology) == GemmBlocking(mc: 240, kc: 272, nc: 15408))
        // Micro-panels streamed from L2: KC leaves L1's bound, and the block of A with the
        // streamed micro-panel of B still fits half of L2, about square.
        for (mr, nr) in [(12, 32), (6, 16)] {
            let l1 = GemmBlocking.derived(mr: mr, nr: nr, topology: topology)
            let l2 = GemmBlocking.derived(mr: mr, nr: nr, topology: topology, residency: .l2)
            #expect(l2.kc % 8 == 0 && l2.mc % mr == 0 && l2.nc % nr == 0)
            #expect(mr < 12 || l2.kc > l1.kc, "\(mr)x\(nr): KC \(l2.kc) streamed, \(l1.kc) in L1")
            #expect((l2.mc * l2.kc + l2.kc * nr) * 4 <= topology.l2.sizeBytes / 2)
            #expect(((l2.mc + mr) * l2.kc + l2.kc * nr) * 4 > topology.l2.sizeBytes / 2, "MC \(l2.mc) leaves L2 unused")
            #expect(abs(l2.mc - l2.kc) <= max(mr, 8) + nr, "\(l2) is not about square")
        }
        #expect(GemmBlocking.derived(mr: 12, nr: 32, topology: topology, residency: .l2) == GemmBlocking(mc: 240, kc: 240, nc: 17472))
        // Direct convolution's channel chunks: within half of the named cache, even, and all
        // channels in one pass when they fit.
        for residency in [PanelResidency.l1, .l2] {
            let budget = residency == .l1 ? topology.l1d.sizeBytes / 2 : topology.l2.sizeBytes / 2
            for (channels, taps) in [(1, 9), (64, 9), (70, 9), (512, 9), (256, 1), (3, 49), (420, 25)] {
                let chunk = DirectConvolutionBlocking.channelChunk(channels: channels, taps: taps, nr: 32, residency: residency,
                                                                   topology: topology)
                let passes = (channels + chunk - 1) / chunk
                #expect(chunk >= 1 && chunk <= channels)
                #expect(chunk == 1 || taps * chunk * 32 * 4 <= budget, "\(channels) x \(taps): chunk \(chunk)")
                #expect(passes * chunk - channels < passes, "\(channels) x \(taps): uneven chunks of \(chunk)")
                #expect(passes == 1 || taps * ((channels + passes - 2) / (passes - 1)) * 32 * 4 > budget,
                        "\(channels) x \(taps): \(passes) passes where fewer fit")
            }
        }
        #expect(DirectConvolutionBlocking.channelChunk(channels: 64, taps: 9, nr: 32, residency: .l2, topology: topology) == 64)
        #expect(DirectConvolutionBlocking.channelChunk(channels: 64, taps: 9, nr: 32, residency: .l1, topology: topology) == 13)
        #expect(DirectConvolutionBlocking.channelChunk(channels: 512, taps: 9, nr: 32, residency: .l2, topology: topology) == 171)
        // Bigger caches give bigger blocks.
        var larger = reading
        larger.l2 = .init(sizeBytes: 2 << 20, lineBytes: 64, sharedByCores: 1, instances: 2)
        #expect(GemmBlocking.derived(mr: 6, nr: 16, topology: larger.resolved()).mc > 240)
    }

    @Test func topologyReportShowsCoresAndCaches() {
        let text = TopologyReport.render()
        #expect(text.contains("physical cores: \(Topology.current.cores)"))
        #expect(text.contains("L1d: ") && text.contains("L2: ") && text.contains("L3: "))
        #expect(text.contains("MC=") && text.contains("KC=") && text.contains("NC="))
    }
}

@Suite("GEMM output check")
struct GemmCheckTests {
    @Test func passesACorrectProductAndCatchesOneWrongElement() throws {
        let operands = GemmOperands(GemmShape(m: 37, n: 29, k: 53))
        defer { operands.release() }
        Gemm.run(operands.problem, variant: .naive)
        let good = GemmCheck.check(operands.problem)
        #expect(good.passed)
        #expect(good.maxError < 1e-5)
        operands.c.pointer[10 * 29 + 7] += 1e-3
        let bad = GemmCheck.check(operands.problem)
        #expect(!bad.passed)
        operands.c.pointer[3] = .nan
        #expect(!GemmCheck.check(operands.problem).passed)
    }

    @Test func theLargeProblemCheckCatchesAWrongRow() throws {
        let operands = GemmOperands(GemmShape(m: 31, n: 40, k: 17))
        defer { operands.release() }
        Gemm.run(operands.problem, variant: .naive)
        #expect(GemmCheck.randomProjection(operands.problem).passed)
        // A bug's typical signature: a row missing one k slice.
        for j in 0..<40 { operands.c.pointer[5 * 40 + j] -= operands.problem.a[5 * 17] * operands.problem.b[j] }
        #expect(!GemmCheck.randomProjection(operands.problem).passed)
    }
}
