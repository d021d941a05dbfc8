package gemmcost.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadyQueueTest {
    @Test
    void shouldTakeTheEarliestReadyThenTheLongerTailThenTheLowerIndex() {
        double[] readyUs = {5, 1, 1, 1, 0};
        double[] tailUs = {9, 2, 7, 7, 0};
        ReadyQueue queue = new ReadyQueue(5, readyUs, tailUs);
        for (int v = 0; v < 5; v++)
            queue.add(v);

        // ready 0: node 4; ready 1: tails 7, 7 (nodes 2, 3 by index), then 2 (node 1); ready 5: node 0
        assertThat(drain(queue)).containsExactly(4, 2, 3, 1, 0);
    }

    @Test
    void shouldKeepThatOrderWhenNodesArriveInOrderAndOutOfOrderMixed() {
        double[] readyUs = {0, 1, 2, 3, 1.5, 0.5, 3};
        double[] tailUs = {0, 0, 0, 0, 0, 0, 1};
        ReadyQueue queue = new ReadyQueue(7, readyUs, tailUs);
        for (int v = 0; v < 7; v++) // 0…3 go in order; 4, 5 and 6 come before the last added
            queue.add(v);

        assertThat(drain(queue)).containsExactly(0, 5, 1, 4, 2, 6, 3);
    }

    /** Random adds and polls, many ties, against java.util.PriorityQueue with the same order. */
    @Test
    void shouldAgreeWithAPriorityQueueOnRandomSequences() {
        Random random = new Random(20261124);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + random.nextInt(80);
            double[] readyUs = new double[n];
            double[] tailUs = new double[n];
            Comparator<Integer> order = Comparator.<Integer>comparingDouble(v -> readyUs[v])
                    .thenComparing(Comparator.<Integer>comparingDouble(v -> tailUs[v]).reversed())
                    .thenComparingInt(v -> v);
            PriorityQueue<Integer> expected = new PriorityQueue<>(order);
            ReadyQueue queue = new ReadyQueue(n, readyUs, tailUs);
            List<Integer> polled = new ArrayList<>();
            List<Integer> expectedPolled = new ArrayList<>();
            int added = 0;
            while (added < n || !expected.isEmpty()) {
                if (added < n && (expected.isEmpty() || random.nextBoolean())) {
                    readyUs[added] = random.nextInt(6);
                    tailUs[added] = random.nextInt(3);
                    queue.add(added);
                    expected.add(added++);
                } else {
                    polled.add(queue.poll());
                    expectedPolled.add(expected.poll());
                }
            }
            assertThat(queue.isEmpty()).isTrue();
            assertThat(polled).as("trial %d", trial).isEqualTo(expectedPolled);
        }
    }

    private static List<Integer> drain(ReadyQueue queue) {
        List<Integer> order = new ArrayList<>();
        while (!queue.isEmpty())
            order.add(queue.poll());
        return order;
    }
}
