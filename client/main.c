#include <stdio.h>

int main(void)
{
    fprintf(stderr, "renja: not built yet\n");
    return 1;
}
