import Foundation
import RecCore

/// `Benchmarks load PATH [FORMAT]`: loads a ratings file and prints elapsed seconds, interactions,
/// bytes per interaction held, and peak resident memory (VmHWM from /proc/self/status).
/// FORMAT is `movielens` (default: chosen from the file name) or `csv` (header, user,item,rating,timestamp).
enum LoadBenchmark {
    static func run(_ arguments: [String]) throws {
        guard let path = arguments.first else {
            print("usage: Benchmarks load PATH [movielens|csv]")
            return
        }
        let mode = arguments.dropFirst().first ?? "movielens"
        let start = DispatchTime.now().uptimeNanoseconds
        let table: Interactions
        if mode == "csv" || DelimitedFormat.movieLens(fileName: path) == nil {
            table = try Interactions.load(path: path, format: DelimitedFormat(delimiter: ",", hasHeader: true))
        } else {
            table = try Interactions.loadMovieLens(path: path)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let perInteraction = Double(table.bytesHeld) / Double(max(1, table.count))
        print("load \(path)")
        print(String(format: "seconds %.3f", seconds))
        print("interactions \(table.count) users \(table.userCount) items \(table.itemCount)")
        print(String(format: "bytes_per_interaction %.2f", perInteraction))
        print("peak_rss_kib \(peakResidentKiB().map(String.init) ?? "unknown")")
    }

    /// VmHWM (peak resident set size) in KiB, from /proc/self/status (Linux only).
    static func peakResidentKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }
}
